using WsServer.Host.Cli;

return await HostCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
