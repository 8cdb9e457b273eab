"""The ``unrolled`` commands, one module per family; ``cli.py`` gathers them into one group.

Here live options, validation and calls, nothing else: the maths is in ``rnn``, the pictures
and files in ``scenes``. May import ``rnn`` and ``scenes``; nothing imports this package but
``cli.py``.
"""
