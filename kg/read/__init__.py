"""Read stage: a file on disk to a Source (its text, kind and identity); one module per format."""
from kg.read.files import EXTENSIONS, list_documents, list_files, list_inputs, read_file, read_paths

__all__ = ["EXTENSIONS", "list_documents", "list_files", "list_inputs", "read_file", "read_paths"]
