"""Link stage: documents to the parent directives they name, tasks to the parent tasks they carry
out, report measures to the tasks they report on."""
from kg.link.align import align_documents, align_pairs, link

__all__ = ["align_documents", "align_pairs", "link"]
