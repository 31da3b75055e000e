using System.Runtime.InteropServices;
using LabelHub.Domain.Learning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace LabelHub.Workers.Learning;

/// <summary>How this process trains (settings <c>LabelHub:Learning:Threads</c> and <c>LabelHub:Learning:Device</c>).</summary>
/// <param name="Threads">TorchSharp's intra-op and inter-op threads.</param>
/// <param name="Device"><c>cpu</c>, or <c>cuda</c> when CUDA natives and a GPU are present.</param>
public sealed record TorchSettings(int Threads, string Device)
{
    public const string Section = "LabelHub:Learning";

    /// <summary>Threads default to <see cref="DefaultThreads"/> of this machine's cores.</summary>
    public static TorchSettings FromConfiguration(IConfiguration configuration) =>
        new(configuration.GetValue($"{Section}:Threads", DefaultThreads(Environment.ProcessorCount)),
            configuration.GetValue<string?>($"{Section}:Device") ?? "cpu");

    /// <summary>
    /// Every core but one, in the web process and in a Workers process alike. libtorch's threads meet at the end of
    /// every operation, so one thread that another process keeps off its core holds up all of them: on two cores
    /// with other work running, two threads trained a round in 18–35 s and one thread in 3.7 s
    /// (bench/results/learning-2026-12-04-2016.md). The spare core also keeps the web app's pages and the
    /// annotators' next task quick while a model trains.
    /// </summary>
    public static int DefaultThreads(int cores) => Math.Max(1, cores - 1);
}

/// <summary>
/// TorchSharp in this process, set up on first use. The native libraries are loaded by path before any TorchSharp call:
/// when one cannot load, TorchSharp itself would copy 480 MB of natives next to the app and then throw a message that
/// blames a missing package, while dlopen's own error names the real cause (docs/decisions/0009-torchsharp-natives.md).
/// Any failure makes learning unavailable with its reason and one warning in the log; nothing is thrown.
/// </summary>
public sealed class TorchRuntime : ILearningRuntime
{
    /// <summary>What is loaded first, in dependency order; libtorch_cpu.so brings its OpenMP library in through $ORIGIN.</summary>
    public static readonly IReadOnlyList<string> ProbedLibraries = ["libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so"];

    // TorchSharp's thread settings are per process and the inter-op one can be set only once.
    private static readonly Lock ProcessSetupLock = new();
    private static LearningAvailability? processAvailability;

    private readonly TorchSettings settings;
    private readonly ILogger<TorchRuntime> logger;
    private readonly Lazy<LearningAvailability> availability;

    public TorchRuntime(TorchSettings settings, ILogger<TorchRuntime> logger)
        : this(settings, DefaultNativeFolder(), logger)
    {
    }

    /// <param name="nativeFolder">Where libLibTorchSharp.so and libtorch's libraries are; the app's folder in production.</param>
    public TorchRuntime(TorchSettings settings, string nativeFolder, ILogger<TorchRuntime> logger)
    {
        this.settings = settings;
        this.logger = logger;
        NativeFolder = nativeFolder;
        availability = new Lazy<LearningAvailability>(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string NativeFolder { get; }

    public LearningAvailability Availability => availability.Value;

    /// <summary>
    /// The folder TorchSharp loads its natives from: beside TorchSharp.dll when built for linux-x64, under
    /// runtimes/linux-x64/native in a portable build.
    /// </summary>
    public static string DefaultNativeFolder()
    {
        var appFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        var portableFolder = Path.Combine(appFolder, "runtimes", "linux-x64", "native");
        return !File.Exists(Path.Combine(appFolder, "libLibTorchSharp.so")) && Directory.Exists(portableFolder) ? portableFolder : appFolder;
    }

    private LearningAvailability Start()
    {
        var problem = SettingsProblem() ?? PlatformProblem() ?? LoadNatives();
        if (problem is not null)
        {
            logger.LogWarning("Learning is unavailable: {Reason}", problem);
            return LearningAvailability.Unavailable(problem);
        }
        lock (ProcessSetupLock)
        {
            return processAvailability ??= SetUpTorch(settings, logger);
        }
    }

    private string? SettingsProblem()
    {
        if (settings.Threads < 1)
        {
            return $"{TorchSettings.Section}:Threads is {settings.Threads}; it must be at least 1.";
        }
        return settings.Device is "cpu" or "cuda"
            ? null
            : $"{TorchSettings.Section}:Device is '{settings.Device}'; it must be cpu or cuda.";
    }

    private static string? PlatformProblem() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? null
            : $"TorchSharp's natives here are built for linux-x64 only; this process runs on {RuntimeInformation.RuntimeIdentifier}.";

    private string? LoadNatives()
    {
        foreach (var library in ProbedLibraries)
        {
            var path = Path.Combine(NativeFolder, library);
            if (!File.Exists(path))
            {
                return $"{library} is missing from {NativeFolder}.";
            }
            try
            {
                // Kept loaded: TorchSharp's own load by name then finds the same library.
                NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                return $"{library} cannot be loaded: {LoaderError(e.Message)}";
            }
        }
        return null;
    }

    /// <summary>dlerror's text is the last line of .NET's message; the lines before it are generic advice.</summary>
    private static string LoaderError(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];

    private static LearningAvailability SetUpTorch(TorchSettings settings, ILogger logger)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            torch.set_num_threads(settings.Threads);
            torch.set_num_interop_threads(settings.Threads);
            var device = settings.Device;
            if (device == "cuda" && !torch.cuda.is_available())
            {
                logger.LogWarning("{Setting} is cuda but CUDA is not available in this process (CPU natives or no GPU); training on the CPU.", $"{TorchSettings.Section}:Device");
                device = "cpu";
            }
            else
            {
                logger.LogInformation("TorchSharp ready: device {Device}, {Threads} threads.", device, settings.Threads);
            }
            return LearningAvailability.Ready(device);
        }
        catch (Exception e)
        {
            // TorchSharp wraps load failures in TypeInitializationException; the inner message says what failed.
            var reason = $"TorchSharp could not start: {e.GetBaseException().Message.Split('\n')[0]}";
            logger.LogWarning("Learning is unavailable: {Reason}", reason);
            return LearningAvailability.Unavailable(reason);
        }
    }
}
