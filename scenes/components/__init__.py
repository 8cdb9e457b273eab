"""Drawing parts: layout, neurons, the unrolled network, arrows, panels, plots, themes.

Scenes and beats build pictures from these and fill them with Trace values; nothing here
computes network maths. May import ``rnn`` (for types and errors) and nothing else of ours.
"""

from scenes.components.arrows import ErrorArrow, ErrorFlow, arrow_width
from scenes.components.blocks import BlockEdge, BlockNode, DelayLoop, RecurrentLoops, ValueScale
from scenes.components.folded import FoldedNetwork
from scenes.components.layout import MAX_HIDDEN, MAX_IO, MAX_STEPS, Layout, check_fits
from scenes.components.network import UnrolledNetwork
from scenes.components.neurons import LayerRow, Neuron
from scenes.components.panels import (
                                      ParamPanel,
                                      equation,
                                      forget_bias_words,
                                      light,
                                      matrix_text,
                                      vector_text,
)
from scenes.components.textbook import FoldedGraph, TwoStepGraph

__all__ = [
    "MAX_HIDDEN", "MAX_IO", "MAX_STEPS", "ErrorArrow", "ErrorFlow",
    "LayerRow", "Layout", "Neuron", "ParamPanel", "UnrolledNetwork", "arrow_width",
    "check_fits", "equation", "forget_bias_words", "light", "matrix_text", "vector_text",
    "BlockEdge", "BlockNode", "DelayLoop", "FoldedGraph", "FoldedNetwork", "RecurrentLoops",
    "TwoStepGraph", "ValueScale",
]
