"""Checks that the frames of one step's gradient contributions can each be read on their own:
any two are nested or apart (their edges never cross), and no edge cuts through a neuron."""

from scenes.components.step_frames import frame_boxes
from scenes.components.neurons import LayerRow


def _inside(a, b) -> bool:
    """Box a within box b (left, right, bottom, top)."""
    return b[0] <= a[0] and a[1] <= b[1] and b[2] <= a[2] and a[3] <= b[3]


def _apart(a, b) -> bool:
    return a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]


def _neuron_box(neuron):
    return (neuron.get_left()[0], neuron.get_right()[0], neuron.get_bottom()[1],
            neuron.get_top()[1])


def assert_frames_readable(stage, t: int) -> dict:
    """Every pair of step t's frames nested or apart; every neuron inside or outside each."""
    boxes = frame_boxes(stage.net, t)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            A, B = boxes[a], boxes[b]
            assert _inside(A, B) or _inside(B, A) or _apart(A, B), (t, a, b, A, B)
    net = stage.net
    for layer in ("x", "h", "o"):
        for s in range(1, net.T + 1):
            row = net.neurons(layer, s)
            for neuron in (row if isinstance(row, LayerRow) else [row]):  # a strip: one piece
                n = _neuron_box(neuron)
                for name, box in boxes.items():
                    assert _inside(n, box) or _apart(n, box), (t, name, layer, s)
    return boxes
