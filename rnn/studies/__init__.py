"""Studies built on the engine: the problems of BPTT, the constant error carousel, a dense
network's backprop, and every loss term's errors through a network (network_norms)."""
