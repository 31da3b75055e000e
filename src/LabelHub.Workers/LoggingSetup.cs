using LabelHub.Domain;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

namespace LabelHub.Workers;

public static class LoggingSetup
{
    /// <summary>Structured logs to the console and to a daily rolling file in the data folder.</summary>
    public static IHostApplicationBuilder AddLabelHubLogging(this IHostApplicationBuilder builder, string processName)
    {
        var options = builder.Configuration.GetSection(LabelHubOptions.Section).Get<LabelHubOptions>() ?? new LabelHubOptions();
        // The logs name users and projects: the folder and each file are the account's own (DataFolder).
        DataFolder.EnsurePrivate(options.DataDirFullPath);
        var logFile = Path.Combine(DataFolder.EnsurePrivate(Path.Combine(options.DataDirFullPath, "logs")), $"{processName}-.log");
        builder.Services.AddSerilog(config => config
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Hangfire", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Process", processName)
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(logFile, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                hooks: new PrivateLogFiles()));
        return builder;
    }
}

/// <summary>Each log file is made 0600 as it is opened (the sink creates files with the process's umask).</summary>
internal sealed class PrivateLogFiles : Serilog.Sinks.File.FileLifecycleHooks
{
    public override Stream OnFileOpened(string path, Stream underlyingStream, System.Text.Encoding encoding)
    {
        DataFolder.MakePrivate(path);
        return underlyingStream;
    }
}
