"""The case file: YAML with line numbers, validated into typed models; 统一社会信用代码.

Imports only the shared modules (vocab, errors). Everything downstream takes these models;
nothing else reads a case's YAML.
"""
