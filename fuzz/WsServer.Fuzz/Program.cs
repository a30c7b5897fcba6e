using System.Globalization;
using System.Security.Cryptography;
using SharpFuzz;
using WsServer.Fuzz.Mutation;
using WsServer.Fuzz.Targets;

// dotnet WsServer.Fuzz.dll TARGET                      one input from stdin, as AFL's fork server (SharpFuzz)
// dotnet WsServer.Fuzz.dll TARGET --random SECONDS [--seed N] [--iterations N] [--findings DIR]
// dotnet WsServer.Fuzz.dll TARGET --replay FILE...     run saved inputs once each
// dotnet WsServer.Fuzz.dll write-seeds DIR             write the built-in seeds to DIR/TARGET/
// TARGET: frame | handshake | session | proxy. Exit codes: 0 clean, 1 finding, 2 usage, 3 hang.
if (args.Length >= 2 && args[0] == "write-seeds")
{
    foreach (string targetName in FuzzTargets.Names)
    {
        string folder = Directory.CreateDirectory(Path.Combine(args[1], targetName)).FullName;
        IReadOnlyList<byte[]> seeds = FuzzTargets.Create(targetName)!.Seeds;
        for (int i = 0; i < seeds.Count; i++)
            File.WriteAllBytes(Path.Combine(folder, $"seed-{i:D3}.bin"), seeds[i]);
        Console.WriteLine($"{targetName}: {seeds.Count} seeds in {folder}");
    }

    return 0;
}

string? name = args.Length > 0 && FuzzTargets.Names.Contains(args[0]) ? args[0] : null;
if (name is null)
{
    Console.Error.WriteLine($"usage: WsServer.Fuzz ({string.Join(" | ", FuzzTargets.Names)}) [--random SECONDS [--seed N] "
        + "[--iterations N] [--findings DIR] | --replay FILE...] | write-seeds DIR");
    return 2;
}

if (!args.Contains("--random") && !args.Contains("--replay"))
{
    // AFL mode: SharpFuzz runs the fork server and reports an escaping exception as a crash. The target
    // is created inside the loop: instrumented code (the seeds use FrameWriter) must not run before
    // SharpFuzz has attached AFL's coverage map.
    IFuzzTarget? aflTarget = null;
    Fuzzer.OutOfProcess.Run(stream =>
    {
        aflTarget ??= FuzzTargets.Create(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        aflTarget.Run(copy.ToArray(), FeatureSet.None);
    });
    return 0;
}

IFuzzTarget target = FuzzTargets.Create(name)!;
string? Option(string option) => Array.IndexOf(args, option) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
long? Number(string option) => Option(option) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;

if (args.Contains("--replay"))
{
    int failed = 0;
    foreach (string file in args.SkipWhile(a => a != "--replay").Skip(1))
    {
        try
        {
            target.Run(File.ReadAllBytes(file), FeatureSet.None);
            Console.WriteLine($"ok    {file}");
        }
#pragma warning disable CA1031 // Replaying findings: every exception is reported, none is handled.
        catch (Exception error)
#pragma warning restore CA1031
        {
            failed++;
            Console.WriteLine($"FAIL  {file}: {error}");
        }
    }

    return failed == 0 ? 0 : 1;
}


int seed = (int)(Number("--seed") ?? 1);
double seconds = double.Parse(Option("--random") ?? "60", CultureInfo.InvariantCulture);
string findings = Option("--findings") ?? Path.Combine("fuzz", "findings");
var fuzzer = new RandomFuzzer(target, seed);
string corpusFolder = Path.Combine(AppContext.BaseDirectory, "corpus", target.Name);
if (Directory.Exists(corpusFolder))
{
    foreach (string file in Directory.EnumerateFiles(corpusFolder).Order(StringComparer.Ordinal))
        fuzzer.ExtraSeeds.Add(File.ReadAllBytes(file));
}

var watchdog = new Thread(() => Watch(fuzzer, target.Name, findings)) { IsBackground = true };
watchdog.Start();
FuzzReport report = fuzzer.Run(Number("--iterations"), TimeSpan.FromSeconds(seconds));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{target.Name}: {report.Executions:N0} executions in {report.Elapsed.TotalSeconds:F1} s ({report.ExecutionsPerSecond:N0}/s), {report.Features} distinct outcome features, corpus {report.CorpusSize}, seed {seed}"));
if (report.FindingInput is null)
    return 0;
string path = Save(findings, target.Name, "crash", report.FindingInput);
Console.WriteLine($"FINDING saved to {path}:\n{report.FindingError}");
return 1;

// A run that makes no progress for 10 s is a hang: save the input, exit 3.
static void Watch(RandomFuzzer fuzzer, string name, string findings)
{
    long last = -1;
    while (true)
    {
        Thread.Sleep(TimeSpan.FromSeconds(10));
        long now = fuzzer.Executions;
        if (now == last)
        {
            Console.WriteLine($"HANG saved to {Save(findings, name, "hang", fuzzer.Current)}");
            Environment.Exit(3);
        }

        last = now;
    }
}

static string Save(string folder, string name, string kind, byte[] input)
{
    Directory.CreateDirectory(folder);
    string path = Path.Combine(folder, $"{name}-{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..16]}.bin");
    File.WriteAllBytes(path, input);
    return path;
}
