"""Learning from a Trace: optimisers, truncated BPTT, the gradient check, training."""
