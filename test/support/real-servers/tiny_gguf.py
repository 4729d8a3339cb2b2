"""Writes a tiny llama-architecture GGUF (random weights, a byte-level SentencePiece-style vocabulary) that
llama.cpp loads and generates real tokens from, on CPU, in milliseconds per token.
Usage: python tiny_gguf.py OUT.gguf"""
import sys

import numpy as np
from gguf import GGUFWriter, TokenType

N_EMBD, N_HEAD, N_LAYER, N_FF, N_CTX = 64, 4, 2, 128, 512
WORDS = ["▁the", "▁model", "▁server", "▁token", "▁hello", "▁world", "▁scale", "▁load", "▁fast", "▁slow"]

tokens, scores, types = [b"<unk>", b"<s>", b"</s>"], [0.0, 0.0, 0.0], [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
for b in range(256):
    tokens.append(f"<0x{b:02X}>".encode())
    scores.append(0.0)
    types.append(TokenType.BYTE)
for i, w in enumerate(WORDS):
    tokens.append(w.encode())
    scores.append(-float(i + 1))
    types.append(TokenType.NORMAL)
n_vocab = len(tokens)

rng = np.random.default_rng(17)
def weight(*shape):
    return (rng.standard_normal(shape) * 0.2).astype(np.float32)

w = GGUFWriter(sys.argv[1], "llama")
w.add_name("mdl-tiny-llama")
w.add_context_length(N_CTX)
w.add_embedding_length(N_EMBD)
w.add_block_count(N_LAYER)
w.add_feed_forward_length(N_FF)
w.add_head_count(N_HEAD)
w.add_head_count_kv(N_HEAD)
w.add_rope_dimension_count(N_EMBD // N_HEAD)
w.add_layer_norm_rms_eps(1e-5)
w.add_file_type(0)  # all F32
w.add_vocab_size(n_vocab)
w.add_tokenizer_model("llama")
w.add_token_list(tokens)
w.add_token_scores(scores)
w.add_token_types(types)
w.add_bos_token_id(1)
w.add_eos_token_id(2)
w.add_unk_token_id(0)
w.add_add_bos_token(True)
# Random weights would end a reply at once as often as not: </s> gets no chance, so replies run to max_tokens.
out = weight(n_vocab, N_EMBD)
out[2, :] = 0.0

w.add_tensor("token_embd.weight", weight(n_vocab, N_EMBD))
for i in range(N_LAYER):
    p = f"blk.{i}."
    w.add_tensor(p + "attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    for t in ("attn_q", "attn_k", "attn_v", "attn_output"):
        w.add_tensor(p + t + ".weight", weight(N_EMBD, N_EMBD))
    w.add_tensor(p + "ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    w.add_tensor(p + "ffn_gate.weight", weight(N_FF, N_EMBD))
    w.add_tensor(p + "ffn_up.weight", weight(N_FF, N_EMBD))
    w.add_tensor(p + "ffn_down.weight", weight(N_EMBD, N_FF))
w.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
w.add_tensor("output.weight", out)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print(sys.argv[1])
