"""From one document's text to its :class:`~kg.models.Extraction`: the recognisers (``ner``), the
relation components (``relations``), coreference (``coref``), resolution to entities, evidence,
the :class:`~kg.extraction.extractor.Extractor` and the pipeline that runs it over many documents."""
