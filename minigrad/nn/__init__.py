"""``minigrad.nn``: modules, layers, activations, losses and initialisers with PyTorch's
names and semantics.

``functional`` (``import minigrad.nn.functional as F``) holds the functional forms,
``init`` the initialisers, ``utils`` gradient clipping and sequence padding/packing
(``utils.rnn``).
"""
from . import functional, init
from .attention import MultiheadAttention
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish,
                         Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6,
                         Sigmoid, SiLU, Softmax, Softmin, Softplus, Softshrink, Softsign, Tanh,
                         Tanhshrink, Threshold)
from .container import Identity, ModuleDict, ModuleList, Sequential
from .conv import Conv2d
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss,
                   GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss,
                   MarginRankingLoss, MSELoss, MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss,
                   PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss, TripletMarginLoss,
                   TripletMarginWithDistanceLoss)
from .module import Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer,
                          generate_square_subsequent_mask)
from . import utils

__all__ = [
    "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict",
    "Identity", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "ReLU", "LeakyReLU", "Tanh",
    "Sigmoid", "GELU", "Softplus", "Softmax", "LogSoftmax", "MSELoss", "L1Loss",
    "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "HuberLoss", "functional",
    "init", "utils", "SiLU", "Mish", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6", "Hardswish",
    "Hardsigmoid", "Softsign", "LogSigmoid", "Tanhshrink", "Softshrink", "Hardshrink", "PReLU",
    "GLU", "Softmin", "Threshold", "SmoothL1Loss", "KLDivLoss", "PoissonNLLLoss",
    "GaussianNLLLoss", "CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "PairwiseDistance", "CosineSimilarity", "RNNBase", "RNN",
    "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
    "generate_square_subsequent_mask",
]
