using System.Text;
using LabelHub.Build;
using LabelHub.Domain.Learning;
using LabelHub.Workers.Jobs;
using LabelHub.Workers.Learning;
using LabelHub.Workers.Tests.Build;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LabelHub.Workers.Tests.Learning;

public sealed class TorchRuntimeTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("labelhub-natives-");

    private static TorchSettings Cpu => new(Environment.ProcessorCount, "cpu");

    [Fact]
    public void The_build_output_loads_TorchSharp_on_the_cpu()
    {
        var logger = new RecordingLogger<TorchRuntime>();
        var runtime = new TorchRuntime(Cpu, logger);

        var availability = runtime.Availability;

        Assert.True(availability.Available, availability.Reason);
        Assert.Equal("cpu", availability.Device);
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), runtime.NativeFolder);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void The_output_holds_the_patched_library_and_the_package_file_is_unchanged()
    {
        var output = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"));
        var package = File.ReadAllBytes(ElfVersionPatchTests.PackageLibTorchSharp);

        Assert.True(ElfVersionPatch.FindRequirement(output, "GLIBCXX_3.4.32")!.IsWeak);
        Assert.False(ElfVersionPatch.FindRequirement(package, "GLIBCXX_3.4.32")!.IsWeak);
    }

    [Fact]
    public void Natives_nothing_loads_are_left_out_of_the_output()
    {
        string[] unused = ["libtorch_python.so", "libshm.so", "libjitbackend_test.so", "libtorchbind_test.so", "libbackend_with_compiler.so", "libaoti_custom_ops.so", "libnnapi_backend.so"];

        Assert.All(unused, library => Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, library)), library));
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes")), "natives for other platforms");
        Assert.DoesNotContain("libtorch_python.so", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "LabelHub.Workers.Tests.deps.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_native_folder_makes_learning_unavailable_naming_the_file_with_one_warning()
    {
        var logger = new RecordingLogger<TorchRuntime>();
        var missing = Path.Combine(folder.FullName, "no-natives-here");
        var runtime = new TorchRuntime(Cpu, missing, logger);

        var first = runtime.Availability;
        var second = runtime.Availability;

        Assert.False(first.Available);
        Assert.Contains("libc10.so", first.Reason, StringComparison.Ordinal);
        Assert.Contains(missing, first.Reason, StringComparison.Ordinal);
        Assert.Same(first, second);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(first.Reason!, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unpatched_library_is_reported_with_the_loader_error_before_TorchSharp_is_touched()
    {
        // libtorch's libraries linked from the output, beside an unpatched copy of the package's libLibTorchSharp.so.
        foreach (var library in Directory.GetFiles(AppContext.BaseDirectory, "lib*.so*").Where(f => !f.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal)))
        {
            File.CreateSymbolicLink(Path.Combine(folder.FullName, Path.GetFileName(library)), library);
        }
        File.Copy(ElfVersionPatchTests.PackageLibTorchSharp, Path.Combine(folder.FullName, "libLibTorchSharp.so"));
        var logger = new RecordingLogger<TorchRuntime>();
        Assert.True(new TorchRuntime(Cpu, NullLogger()).Availability.Available);

        var availability = new TorchRuntime(Cpu, folder.FullName, logger).Availability;

        if (SystemLibstdcxxDefines("GLIBCXX_3.4.32"))
        {
            Assert.True(availability.Available, availability.Reason);
        }
        else
        {
            // Debian 12: dlopen's own words, not TorchSharp's misleading "doesn't contain a reference to libtorch-cpu".
            Assert.False(availability.Available);
            Assert.StartsWith("libLibTorchSharp.so cannot be loaded:", availability.Reason, StringComparison.Ordinal);
            Assert.Contains("version `GLIBCXX_3.4.32' not found", availability.Reason, StringComparison.Ordinal);
            Assert.Equal(LogLevel.Warning, Assert.Single(logger.Entries).Level);
        }
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "cpu")), "TorchSharp's fallback copied its natives");
    }

    [Theory]
    [InlineData(0, "cpu", "LabelHub:Learning:Threads is 0")]
    [InlineData(1, "tpu", "LabelHub:Learning:Device is 'tpu'")]
    public void Settings_out_of_range_make_learning_unavailable_with_the_setting_named(int threads, string device, string reason)
    {
        var availability = new TorchRuntime(new TorchSettings(threads, device), NullLogger()).Availability;

        Assert.False(availability.Available);
        Assert.StartsWith(reason, availability.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(16, 15)]
    public void Threads_default_to_every_core_but_one(int cores, int threads)
    {
        Assert.Equal(threads, TorchSettings.DefaultThreads(cores));
    }

    [Fact]
    public void Unconfigured_settings_take_the_default_threads_on_the_cpu()
    {
        var settings = TorchSettings.FromConfiguration(new ConfigurationBuilder().Build());

        Assert.Equal(TorchSettings.DefaultThreads(Environment.ProcessorCount), settings.Threads);
        Assert.Equal("cpu", settings.Device);
    }

    [Fact]
    public void Configured_threads_and_device_are_read_from_LabelHub_Learning()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["LabelHub:Learning:Threads"] = "3", ["LabelHub:Learning:Device"] = "cuda" })
            .Build();

        Assert.Equal(new TorchSettings(3, "cuda"), TorchSettings.FromConfiguration(configuration));
    }

    [Fact]
    public void The_jobs_setup_registers_one_runtime_for_both_names()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.AddLabelHubJobs(runJobServer: false);
        using var services = builder.Services.BuildServiceProvider();

        Assert.Same(services.GetRequiredService<TorchRuntime>(), services.GetRequiredService<ILearningRuntime>());
    }

    /// <summary>Whether the libstdc++ this process loaded defines <paramref name="version"/> (its name is in the file).</summary>
    private static bool SystemLibstdcxxDefines(string version)
    {
        var mapped = File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last());
        var libstdcxx = mapped.First(path => Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal));
        var name = Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(libstdcxx).AsSpan().IndexOf(name) >= 0;
    }

    private static RecordingLogger<TorchRuntime> NullLogger() => new();

    public void Dispose() => folder.Delete(recursive: true);
}
