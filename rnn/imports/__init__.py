"""Models trained elsewhere (PyTorch ``.safetensors``, Keras ``.keras``), read without the
frameworks and handed to the engine in torch's layout."""

from rnn.imports.model import ImportedModel, load_model, weights_kind

__all__ = ["ImportedModel", "load_model", "weights_kind"]
