"""The animations: one module per scene (a storyboard of beats), and the registry of them.

Sub-packages, one role each; imports run one way, downwards only::

    scenes.output      render, batch, stills, subtitles, slides, figures, lecture files
    scenes (modules)   one scene each: ``setup()`` reads its input, ``construct()`` calls beats
    scenes.beats       the beats and the Stage (or board) they act on; the scene input
    scenes.components  drawing parts and the themes
    rnn                the engine (imports none of these)

A new scene is a module here and a line in ``scenes/registry.py``.
"""
