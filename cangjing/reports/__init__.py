"""Climate reports for conservators, directors and lenders (`cangjing report`); README.md."""
