/// Concrete models: the OpenAI-compatible client and the policies that wrap any model.
public enum TroupeModels {}
