import TroupeCLI

await TroupeCommand.start()
