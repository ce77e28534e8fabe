import TroupeCLI
