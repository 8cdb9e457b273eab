"""Beats: the named, narrated steps a scene is composed of, and the Stage they act on.

A beat draws numbers read from the Trace with parts from ``scenes.components``; it never
recomputes the network's maths. ``inputs`` holds what a render hands a scene (a Trace and
presentation choices). May import ``scenes.components`` and ``rnn``; never a scene module or
``scenes.output``.
"""
