"""The Gradio app's UI: page layout (ui), its callbacks (draw, gallery, model_info) and pictures; all ML is mnist_core's."""
