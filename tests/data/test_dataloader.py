"""DataLoader: coverage of every sample per epoch, batch shapes, shuffling and seeding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.data import DataLoader, Dataset, Subset, TensorDataset


def index_dataset(n):
    """Sample i is (features [i, i, i] float32, label i): batches reveal which samples they hold."""
    X = np.repeat(np.arange(n, dtype=np.float32)[:, None], 3, axis=1)
    return TensorDataset(X, np.arange(n, dtype=np.int64))


def epoch_indices(loader):
    return [batch[1].detach().numpy().tolist() for batch in loader]


@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 40), batch_size=st.integers(1, 50), shuffle=st.booleans(), drop_last=st.booleans())
def test_every_index_once_per_epoch(n, batch_size, shuffle, drop_last):
    if n == 0 and shuffle:  # PyTorch's RandomSampler refuses an empty dataset
        with pytest.raises(ValueError, match="num_samples=0"):
            DataLoader(index_dataset(n), batch_size=batch_size, shuffle=True, seed=0)
        return
    loader = DataLoader(index_dataset(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=0)
    for _ in range(2):
        batches = epoch_indices(loader)
        assert len(batches) == len(loader)
        seen = [i for b in batches for i in b]
        assert len(seen) == len(set(seen))  # no sample twice
        if drop_last:
            assert all(len(b) == batch_size for b in batches)
            assert len(seen) == n - n % batch_size
        else:
            assert sorted(seen) == list(range(n))  # every sample exactly once
            assert all(len(b) == batch_size for b in batches[:-1])


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected",
    [(10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0), (0, 4, False, 0)],
)
def test_len_is_the_number_of_batches(n, batch_size, drop_last, expected):
    loader = DataLoader(index_dataset(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected == len(list(loader))


def test_without_shuffle_batches_come_in_order():
    assert epoch_indices(DataLoader(index_dataset(7), batch_size=3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_batches_are_tuples_of_tensors_with_batch_shapes_and_dtypes():
    X = np.random.default_rng(0).standard_normal((10, 4, 2)).astype(np.float32)
    y = np.arange(10)
    xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert isinstance(xb, minigrad.Tensor) and isinstance(yb, minigrad.Tensor)
    assert xb.shape == (4, 4, 2) and xb.dtype == np.float32
    assert yb.shape == (4,) and yb.dtype == np.int64
    assert not xb.requires_grad and xb.is_leaf
    np.testing.assert_array_equal(xb.detach().numpy(), X[:4])


def test_float64_data_stays_float64():
    xb, = next(iter(DataLoader(TensorDataset(np.zeros((3, 2))), batch_size=3)))
    assert xb.dtype == np.float64


def test_batches_of_tensors_are_copies():
    X = minigrad.tensor(np.zeros((4, 2), np.float32))
    xb, = next(iter(DataLoader(TensorDataset(X), batch_size=4)))
    xb.data += 1
    assert X.detach().numpy().sum() == 0


def test_reshuffles_every_epoch():
    loader = DataLoader(index_dataset(100), batch_size=100, shuffle=True, seed=0)
    first, second = epoch_indices(loader)[0], epoch_indices(loader)[0]
    assert sorted(first) == sorted(second) == list(range(100))
    assert first != second


def test_same_seed_same_epochs_different_seed_different_epochs():
    def run(seed):
        loader = DataLoader(index_dataset(50), batch_size=8, shuffle=True, seed=seed)
        return [epoch_indices(loader) for _ in range(3)]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_seed_none_follows_manual_seed():
    loader = DataLoader(index_dataset(50), batch_size=50, shuffle=True)
    minigrad.manual_seed(123)
    a = [epoch_indices(loader) for _ in range(2)]
    minigrad.manual_seed(123)
    b = [epoch_indices(loader) for _ in range(2)]
    assert a == b and a[0] != a[1]


def test_seed_accepts_a_generator():
    a = epoch_indices(DataLoader(index_dataset(20), batch_size=20, shuffle=True, seed=np.random.default_rng(5)))
    b = epoch_indices(DataLoader(index_dataset(20), batch_size=20, shuffle=True, seed=np.random.default_rng(5)))
    assert a == b


def test_tensor_dataset_batches_are_fetched_vectorised(monkeypatch):
    def per_sample(self, index):
        raise AssertionError("DataLoader must not fetch TensorDataset samples one by one")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    assert len(list(DataLoader(index_dataset(10), batch_size=4, shuffle=True, seed=0))) == 3


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_must_be_positive(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        DataLoader(index_dataset(3), batch_size=batch_size)


@pytest.mark.parametrize("batch_size", [1.5, 2.0, "32", True])  # None: no batching
def test_batch_size_must_be_an_int(batch_size):
    with pytest.raises(TypeError, match="batch_size must be a positive int"):
        DataLoader(index_dataset(3), batch_size=batch_size)


def test_numpy_int_batch_size_is_fine():
    assert len(DataLoader(index_dataset(10), batch_size=np.int64(5))) == 2


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ("abc", TypeError), (1.5, TypeError), (True, TypeError)])
def test_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        DataLoader(index_dataset(3), shuffle=True, seed=seed)


def test_dataset_must_have_len_and_getitem():
    with pytest.raises(TypeError, match="dataset must have __len__ and __getitem__"):
        DataLoader(iter(range(3)))


def test_docstring_maps_the_three_regimes():
    doc = " ".join(DataLoader.__doc__.split())
    assert "batch gradient descent: ``batch_size=len(dataset)``" in doc
    assert "stochastic gradient descent: ``batch_size=1``" in doc
    assert "mini-batch gradient descent: ``batch_size`` typically 32 to 256" in doc


# --------------------------------------------------------------------------- generic datasets


class Squares(Dataset):
    """A user dataset with per-sample __getitem__ returning (array, int)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return np.array([i, i * i], dtype=np.float32), i % 2


def test_generic_dataset_samples_are_stacked():
    batches = list(DataLoader(Squares(5), batch_size=2))
    assert len(batches) == 3
    xb, yb = batches[1]
    np.testing.assert_array_equal(xb.detach().numpy(), [[2, 4], [3, 9]])
    assert xb.dtype == np.float32
    assert yb.detach().numpy().tolist() == [0, 1] and yb.dtype == np.int64


def test_generic_dataset_covers_every_sample_when_shuffled():
    loader = DataLoader(Squares(11), batch_size=4, shuffle=True, seed=3)
    seen = [int(v) for xb, _ in loader for v in xb.detach().numpy()[:, 0]]
    assert sorted(seen) == list(range(11))


def test_duck_typed_dataset_without_base_class():
    class Plain:
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return float(i)

    (batch,) = list(DataLoader(Plain(), batch_size=3))
    assert isinstance(batch, minigrad.Tensor) and batch.dtype == np.float32
    assert batch.detach().numpy().tolist() == [0.0, 1.0, 2.0]


def test_dict_samples_give_dict_batches():
    class Records(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return {"x": minigrad.tensor([i, -i], dtype="float64"), "y": i}

    batch = next(iter(DataLoader(Records(), batch_size=4)))
    assert set(batch) == {"x", "y"}
    assert batch["x"].shape == (4, 2) and batch["x"].dtype == np.float64
    assert batch["y"].detach().numpy().tolist() == [0, 1, 2, 3]


def test_samples_of_different_shapes_give_a_clear_error():
    class Ragged(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return (np.zeros(i + 1),)

    with pytest.raises(ValueError, match="different shapes"):
        list(DataLoader(Ragged(), batch_size=2))


def test_unbatchable_samples_give_a_clear_error():
    class Words(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return ("word", 1)

    with pytest.raises(TypeError, match="field 0.*str"):
        list(DataLoader(Words(), batch_size=2))


def test_base_dataset_methods_must_be_implemented():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


def test_subset_batches_map_through_any_index_sequence():
    base = index_dataset(10)
    for indices in ([7, 2, 5, 9], np.array([7, 2, 5, 9]), range(3, 7), minigrad.tensor([7, 2, 5, 9])):
        sub = Subset(base, indices)
        got = sub.get_batch(np.array([3, 0]))[1].numpy().tolist()
        expected = [int(list(np.asarray(indices))[3]), int(list(np.asarray(indices))[0])]
        assert got == expected, (type(indices), got)
