/// The local inference kernel: GGUF, tokenizer, transformer, sampler.
public enum TroupeKernel {}
