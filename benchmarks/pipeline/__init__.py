"""The parts of ``benchmarks/bench_pipeline.py``: the servers and stores a run uses
(:mod:`pipeline.stores`), the load it sends (:mod:`pipeline.load`), the systems under test
(:mod:`pipeline.systems`, :mod:`pipeline.nodered`) and the measures (:mod:`pipeline.measure`).
"""
