"""Evaluation against a test set: loading, running, metrics, reports, gates and exports.

The modules hand each other frozen records: a TestItem (testset) becomes an Outcome
(runner), scored into a Result and aggregated into a Summary (metrics), which the
report, the gates and the exporters read.
"""
