"""The Trace's files: the version-2 document (document), its JSON and .npz forms (files, the
one door for both; npz_form), and the checks and encodings of its values (values)."""
