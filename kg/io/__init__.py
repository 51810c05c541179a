"""Text in and files out: reading documents (folders, text files, JSON Lines), decoding their bytes,
normalising the text without moving offsets, cutting long documents into chunks, and writing files
without destroying anything."""
