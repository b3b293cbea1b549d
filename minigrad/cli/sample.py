"""``minigrad sample CHECKPOINT``: generate text with a GPT trained by ``minigrad train
--model gpt --save CHECKPOINT``."""
from . import CLIError

HELP = "generate text from a GPT checkpoint (minigrad train --model gpt --save PATH)"


def add_arguments(p):
    p.add_argument("checkpoint", help="a checkpoint written by minigrad train --model gpt --save")
    p.add_argument("--tokens", type=int, default=500, metavar="N", help="characters to generate")
    p.add_argument("--temperature", type=float, default=0.8, metavar="T",
                   help="divide the logits by this; 0 picks the most likely character")
    p.add_argument("--top-k", type=int, default=None, metavar="K",
                   help="sample among the k most likely characters only")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="random seed: the same seed gives the same text")
    p.add_argument("--prompt", default="\n", metavar="TEXT",
                   help="text to continue (default: a newline)")


def load_model(path):
    """``(model, tokenizer, checkpoint)`` from a GPT checkpoint."""
    from ..data.text import CharTokenizer
    from ..models import GPT, GPTConfig
    from .checkpoint import load_file
    from .gpt import CHECKPOINT_FORMAT
    ckpt = load_file(path, "checkpoint")
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise CLIError(f"{path} is not a GPT checkpoint (write one with minigrad train --model "
                       "gpt --save PATH)")
    model = GPT(GPTConfig(**ckpt["config"]))
    model.load_state_dict(ckpt["model"])
    model.eval()
    return model, CharTokenizer(ckpt["tokenizer"]), ckpt


def run(args):
    import minigrad as mg
    if args.tokens < 0:
        raise CLIError(f"--tokens must be >= 0, got {args.tokens}")
    if not args.temperature >= 0:
        raise CLIError(f"--temperature must be >= 0, got {args.temperature}")
    if args.top_k is not None and args.top_k < 1:
        raise CLIError(f"--top-k must be >= 1, got {args.top_k}")
    if args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    if not args.prompt:
        raise CLIError("--prompt must not be empty")
    model, tok, _ = load_model(args.checkpoint)
    try:
        prompt = tok.encode(args.prompt)
    except ValueError as e:
        raise CLIError(f"--prompt: {e}") from None
    out = model.generate(prompt[None], args.tokens, temperature=args.temperature,
                         top_k=args.top_k, generator=mg.Generator().manual_seed(args.seed))
    print(tok.decode(out[0]))
    return 0
