"""Serving more visitors: several app processes behind nginx (serve.py, nginx.conf), and the same for Kubernetes."""
