"""Studies built on the engine: the problems of BPTT, the constant error carousel, a dense
network's backprop."""
