"""kg's trained entity tagger (Person, Place, Company, Organization) and how it is trained.

* :mod:`.corpora`: readers of BMES/BIO, Weibo CoNLL and CLUENER JSON, the label maps of the public
  corpora, the fixed train / development split;
* :mod:`.features`: hashed character n-gram and lexicon features (jieba's dictionary, kg's);
* :mod:`.crf`: BIOES tags and Viterbi decoding;
* :mod:`.tagger`: inference, numpy and onnxruntime only (``Tagger.load(path).tag(sentences)``);
* :mod:`.train`: training (PyTorch, CPU; ``pip install 'kg[train]'``), used by ``kg train-ner``.

The shipped model is ``kg/data/kg_ner.npz``: a linear CRF over hashed features plus a BiLSTM-CRF,
their scores added, trained on the train splits of MSRA, CLUENER2020, Resume and Weibo NER.
"""
