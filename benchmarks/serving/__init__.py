"""The serving lab: browser-shaped load, what a browser sends per stroke, where a stroke's server time goes, a bare
Gradio peer to compare with, and hostile traffic; each script prints its figures (docs/results.md)."""
