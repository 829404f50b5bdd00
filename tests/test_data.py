"""MNIST through torchvision: the real files, both folder layouts, the tutorial path and the offline message."""

import shutil

import pytest
import torch
from torch.utils.data import DataLoader

from mnist_core.data import RAW_FILES, fingerprint, load_tensors, mnist_dataset, torchvision_root, tutorial_dataset
from mnist_core.errors import DataUnavailableError


def test_real_mnist_loads_with_known_sizes_and_labels(mnist_dir):
    train_images, train_labels = load_tensors(True, mnist_dir)
    test_images, test_labels = load_tensors(False, mnist_dir)
    assert train_images.shape == (60000, 28, 28) and train_images.dtype == torch.uint8
    assert test_images.shape == (10000, 28, 28)
    assert train_labels[0] == 5
    assert test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert torch.bincount(test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_uncompressed_raw_files_and_a_torchvision_root_both_work(mnist_dir, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    raw = torchvision_root(mnist_dir) / "MNIST" / "raw"  # uncompressed, whether mnist_dir holds .gz files or is a root
    for name in RAW_FILES:
        shutil.copyfile(raw / name, plain / name)
    from_plain = load_tensors(False, plain)
    # The same files laid out as torchvision's own root (<root>/MNIST/raw) are read in place.
    root = tmp_path / "root"
    shutil.copytree(plain, root / "MNIST" / "raw")
    from_root = load_tensors(False, root)
    assert fingerprint(*from_plain) == fingerprint(*from_root) == fingerprint(*load_tensors(False, mnist_dir))


def test_tutorial_path_batches_totensor_images(mnist_dir):
    loader = DataLoader(tutorial_dataset(train=False, data_dir=mnist_dir), batch_size=64, shuffle=False)
    images, labels = next(iter(loader))
    assert images.shape == (64, 1, 28, 28) and images.dtype == torch.float32
    assert 0.0 <= float(images.min()) and float(images.max()) <= 1.0
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]


@pytest.mark.parametrize("download", [False, True])
def test_missing_data_offline_gives_one_clear_sentence(tmp_path, download):
    with pytest.raises(DataUnavailableError) as caught:
        mnist_dataset(train=True, data_dir=tmp_path / "empty", download=download)
    message = str(caught.value)
    assert "MNIST_DATA_DIR" in message and "--data-dir" in message and "\n" not in message


def test_without_totensor_a_batch_of_pil_images_cannot_be_collated(mnist_dir):
    # The tutorial's lesson: the Dataset yields PIL images until transforms.ToTensor() is added.
    loader = DataLoader(mnist_dataset(train=False, data_dir=mnist_dir), batch_size=4)
    with pytest.raises(TypeError, match="PIL"):
        next(iter(loader))
