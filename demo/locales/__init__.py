"""The page's strings, one module per language (demo.i18n looks them up)."""
