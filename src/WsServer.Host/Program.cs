using WsServer.Host.Cli;

return await HostCommand.RunAsync(args, Console.In, Console.Out, Console.Error).ConfigureAwait(false);
