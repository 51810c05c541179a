"""A trained relation classifier over the mention pairs of a sentence, beside the hand-written rules.

* :mod:`.lexicon`: the trigger words it reads (stored in the model) and the text its features read;
* :mod:`.features`: hashed features of every candidate pair of a batch of sentences, numpy only;
* :mod:`.model`: :class:`~.model.PairClassifier`: weights, per-label calibration and thresholds;
* :mod:`.component`: the relation component ``classifier`` and the shipped model
  (``kg/data/kg_relations.npz``), loaded once per process;
* :mod:`.corpora`, :mod:`.candidates`, :mod:`.training`, :mod:`.tuning`: ``kg train-relations``
  (DuIE and FinRE readers, candidate mentions from kg's own pipeline, fitting, calibration).

Run time needs numpy only.
"""
