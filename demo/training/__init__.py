"""Train tab: train your own fully connected network with mnist_core's loop, watch it learn, then draw with it.

One run per visitor (their session, and their address across browser tabs), at most MAX_CONCURRENT_RUNS
at once for the whole app; the others wait in a first-come queue and are told how many runs are ahead.
The callback is an async generator, so a visitor waiting or watching holds no server thread; the training
itself runs in its own thread with one torch thread, leaving the other core to drawing and the gallery (see
the CPU-threads notes). The trained model lives in the visitor's session state only, and its checkpoint in a
temporary folder, never the repo.

queue.py     the one-run-at-a-time queue, shared with fine-tuning (demo/teach.py)
settings.py  TrainConfig with the tab's OVERRIDES: SETTINGS (what a visitor sets, in order), their bounds, make_config
run.py       one run: its thread, the data it trains on, what it records for the page
session.py   one visitor's runs and model, and the model picker's choices
render.py    what the page shows of a run: curves, progress, sample digits, summary
tab.py       the tab's layout and callbacks
"""
