"""Models, augmentation and the training loop on real MNIST (small runs)."""

import pytest
import torch

from mnist_core.augment import augment_batch
from mnist_core.evaluate import evaluate
from mnist_core.model import (
    ARCHITECTURES,
    MLP,
    TRAINABLE,
    Ensemble,
    LinearModel,
    build_model,
    describe,
    describe_layers,
)
from mnist_core.pixels import to_float, to_uint8
from mnist_core.train import TrainConfig, train


@pytest.fixture(scope="module")
def small_mnist(mnist_train, mnist_test):
    """5,000 training and 2,000 test images of the real set."""
    return (mnist_train[0][:5000], mnist_train[1][:5000]), (mnist_test[0][:2000], mnist_test[1][:2000])


@pytest.mark.parametrize("model", [LinearModel(), MLP((64, 32))])
@pytest.mark.parametrize("shape", [(5, 1, 28, 28), (5, 784)])
def test_models_give_ten_logits_for_images_or_flat_vectors(model, shape):
    assert model(torch.rand(shape)).shape == (5, 10)


def test_ensemble_returns_the_log_of_its_members_mean_probability():
    ensemble = Ensemble([{"name": "mlp", "hidden": [32], "dropout": 0.0}] * 3).eval()
    x = torch.rand(5, 1, 28, 28)
    mean = torch.stack([member(x).softmax(1) for member in ensemble.members]).mean(0)
    assert torch.allclose(ensemble(x).exp(), mean, atol=1e-6)
    assert isinstance(ensemble.members[0], MLP)


@pytest.mark.parametrize("config", [{"name": "linear"}, {"name": "mlp", "hidden": [128, 64]}, {"name": "ensemble", "members": [{"name": "mlp", "hidden": [16]}] * 2}])
def test_every_registered_model_is_fully_connected_and_described(config):
    assert set(ARCHITECTURES) == {"linear", "mlp", "ensemble"} and TRAINABLE == ("linear", "mlp")
    kinds = {type(module).__name__ for module in build_model(**config).modules()}
    assert "Linear" in kinds and not any("Conv" in kind for kind in kinds)
    expected = {"linear": "Single layer (the tutorial's) 784 → 10", "mlp": "MLP 784 → 128 → 64 → 10",
                "ensemble": "Ensemble 2 × 784 → 16 → 10"}[config["name"]]
    assert describe(config) == expected and describe_layers(config)


def test_an_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown model 'cnn': choose one of linear, mlp, ensemble"):
        build_model("cnn")


def test_augmentation_keeps_shape_range_and_varies_per_image():
    images = torch.zeros(8, 1, 28, 28)
    images[:, :, 8:20, 12:16] = 1.0  # the same bar in every image
    out = augment_batch(images, torch.Generator().manual_seed(0))
    assert out.shape == images.shape and float(out.min()) >= 0 and float(out.max()) <= 1.0001
    assert not torch.allclose(out[0], out[1])  # each image has its own warp


def test_short_training_beats_chance_by_far_and_is_deterministic(small_mnist):
    config = TrainConfig(hidden=(128,), epochs=3, batch_size=128, augment=True, seed=3)
    model, meta = train(config, *small_mnist)
    again, _ = train(config, *small_mnist)
    assert meta["test_accuracy"] > 0.85  # chance is 0.10
    assert evaluate(model, *small_mnist[1])["accuracy"] == meta["test_accuracy"]
    for name, value in model.state_dict().items():
        assert torch.equal(value, again.state_dict()[name]), name
    assert len(meta["train_data_sha256"]) == 64 and meta["epochs"] == 3


def test_tutorial_model_trains_with_adam(small_mnist):
    config = TrainConfig(model="linear", optimizer="adam", lr=1e-2, epochs=1, augment=False)
    model, meta = train(config, *small_mnist)
    assert isinstance(model, LinearModel) and meta["test_accuracy"] > 0.8


def test_stop_request_ends_training_early(small_mnist):
    model, meta = train(TrainConfig(hidden=(32,), epochs=5), *small_mnist, should_stop=lambda: True)
    assert meta["epochs"] == 1


def test_to_float_matches_totensor_scale(small_mnist):
    images = small_mnist[0][0][:3]
    assert torch.allclose(to_float(images)[:, 0], images.float() / 255)
    assert torch.equal(to_uint8(to_float(images))[:, 0], images)  # and back, exactly


def test_fine_tuning_starts_from_the_checkpoint_or_one_ensemble_member(tmp_path):
    from mnist_core.checkpoint import save_checkpoint
    from mnist_core.errors import MnistCoreError
    from mnist_core.train import initial_model

    mlp = build_model("mlp", hidden=(32,), dropout=0.0)
    config = TrainConfig(hidden=(32,), dropout=0.0)
    save_checkpoint(tmp_path / "mlp", mlp, config.model_config(), {})
    start = initial_model(TrainConfig(hidden=(32,), dropout=0.0, init=str(tmp_path / "mlp")))
    assert all(torch.equal(value, mlp.state_dict()[name]) for name, value in start.state_dict().items())

    ensemble = Ensemble([config.model_config()] * 2)
    save_checkpoint(tmp_path / "ensemble", ensemble, {"name": "ensemble", "members": [config.model_config()] * 2}, {})
    second = initial_model(TrainConfig(hidden=(32,), dropout=0.0, init=str(tmp_path / "ensemble"), init_member=1))
    assert torch.equal(second.state_dict()["layers.0.weight"], ensemble.members[1].state_dict()["layers.0.weight"])

    with pytest.raises(MnistCoreError, match="another shape .* size mismatch"):
        initial_model(TrainConfig(hidden=(64,), init=str(tmp_path / "mlp")))
    with pytest.raises(MnistCoreError, match="has 2 members; --init-member 2 is not one"):
        initial_model(TrainConfig(hidden=(32,), init=str(tmp_path / "ensemble"), init_member=2))
    with pytest.raises(MnistCoreError, match="has 0 members"):
        initial_model(TrainConfig(hidden=(32,), init=str(tmp_path / "mlp"), init_member=0))
