"""The scenes ``unrolled`` can render, by name. Add a line to ``SCENES`` to register one.

What a scene takes (options, cells, its own input) is its class's ``contract``
(``scenes.beats.contract``); the command line and lecture files read it through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import Scene

from scenes.activations import ActivationsScene
from scenes.beats.contract import SceneContract
from scenes.blackbox import BlackboxScene
from scenes.bptt import BPTTScene
from scenes.carousel import CarouselScene
from scenes.clipping import ClippingScene
from scenes.dense_scene import DenseScene
from scenes.error_map import ErrorMapScene
from scenes.forward import ForwardScene
from scenes.gradients import GradientsScene
from scenes.gru_cell import GRUCellScene
from scenes.lecture import LectureScene
from scenes.lstm_cell import LSTMCellScene
from scenes.neuron_text import NeuronTextScene
from scenes.neurons import NeuronsScene
from scenes.truncated import TruncatedScene
from scenes.unfold import UnfoldScene
from scenes.vanishing import VanishingScene


@dataclass(frozen=True)
class SceneInfo:
    """A renderable scene: its command-line name, class and one-line description."""

    name: str
    cls: type[Scene]
    description: str

    @property
    def contract(self) -> SceneContract:
        """The scene's declaration: its options, the cells it draws, how its input is made."""
        return self.cls.contract


SCENES: dict[str, SceneInfo] = {
    "forward": SceneInfo("forward", ForwardScene,
                         "the unfolded RNN computes step by step, with the running loss"),
    "bptt": SceneInfo("bptt", BPTTScene,
                      "errors travel back in time, one colour per loss term"),
    "gradients": SceneInfo("gradients", GradientsScene,
                           "per-step gradient contributions, their sum, one update per pass"),
    "lecture": SceneInfo("lecture", LectureScene,
                         "forward, BPTT and gradients as one continuous clip"),
    "truncated": SceneInfo("truncated", TruncatedScene,
                           "truncated BPTT: the state crosses each cut, the errors do not"),
    "vanishing": SceneInfo("vanishing", VanishingScene,
                           "an error fading or exploding on its way back in time"),
    "clipping": SceneInfo("clipping", ClippingScene,
                          "gradient norm before and after clipping, and the step each takes"),
    "dense": SceneInfo("dense", DenseScene, "a dense network's backprop: errors converge below"),
    "neurons": SceneInfo("neurons", NeuronsScene,
                         "the RNN as neurons: three layers, the hidden layer feeding itself"),
    "unfold": SceneInfo("unfold", UnfoldScene,
                        "the folded RNN unfolds into one copy per step, U, W, V shared"),
    "blackbox": SceneInfo("blackbox", BlackboxScene,
                          "neurons collapse into the textbook graph: two steps, then folded"),
    "activations": SceneInfo("activations", ActivationsScene,
                             "a units x time heatmap of h(t), filled in as the forward pass runs"),
    "neuron-text": SceneInfo("neuron-text", NeuronTextScene,
                             "the text coloured by one unit's activation, as in char-rnn figures"),
    "error-map": SceneInfo("error-map", ErrorMapScene,
                           "||dL(s)/dh(t)|| for every s, t on a log scale, filled in by BPTT"),
    "lstm-cell": SceneInfo("lstm-cell", LSTMCellScene,
                           "one LSTM step as a cell diagram: gates forward, errors back"),
    "gru-cell": SceneInfo("gru-cell", GRUCellScene,
                          "one GRU step as a cell diagram: gates forward, errors back"),
    "carousel": SceneInfo("carousel", CarouselScene,
                          "the last error through a simple RNN and an LSTM, 60 steps, measured"),
}
