"""mnist_core: MNIST data, fully connected models, training, checkpoints, preprocessing and prediction."""
