"""The archive: write-once dated folders with manifests and an event log; DA/T 22-2015 档号.

Imports only the shared modules; what goes into it is the pipeline's decision.
"""
