"""What the scenes can draw: the largest chains and layers a picture stays readable at.

Each limit is checked before anything is drawn, with one clear line; the README's "Limits"
table gives each with its reason (a test checks the table against this module). The engine's
own limits (text, hidden size, vocabulary, memory) are in ``rnn.limits``.
"""

from __future__ import annotations

# The unfolded scenes (forward, bptt, gradients, lecture): a camera follows a longer chain
# than the frame, and a layer of many units is one strip of cells.
MAX_UNFOLDED_STEPS = 64  # T: 2080 error arrows at 64 steps, and a clip that stays watchable
MAX_UNFOLDED_UNITS = 256  # units per layer: a strip of 256 cells is 0.8 units tall
# The vanishing scene: one dot per step along a chain, beside a T x T error map.
MAX_VANISHING_STEPS = 100  # dots 0.07 units apart, a map cell 1.4 px at 480p
# The unfolded scenes drawing their units as heat columns (gates under each state): as with
# neurons, a camera follows a chain longer than the frame.
MAX_HEAT_CHAIN_STEPS = MAX_UNFOLDED_STEPS  # beyond 12 steps columns keep a readable width
MAX_HEAT_CHAIN_UNITS = MAX_UNFOLDED_UNITS  # hidden units per column (beyond 6 a plain strip)
MAX_HEAT_CHAIN_CLASSES = 128  # output units stacked in one column
