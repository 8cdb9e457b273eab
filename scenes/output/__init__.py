"""The output pipeline: scenes made into files.

Rendering (``render``, ``batch``: jobs, shards, caching), stills (PNG, SVG, PDF), subtitles
and chapters, slide decks, the article's figures, and lecture files. Everything here writes
files atomically (a temporary name renamed when complete). May import the scene modules, the
registry, ``scenes.beats``, ``scenes.components`` and ``rnn``; nothing below imports this.
"""
