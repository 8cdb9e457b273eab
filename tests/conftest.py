"""Shared by every test folder: this folder is on ``sys.path`` (pytest puts a rootdir conftest's
folder there), so helpers kept here, such as ``same_values``, import by name from any test."""
