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
        var logFile = Path.Combine(options.DataDirFullPath, "logs", $"{processName}-.log");
        builder.Services.AddSerilog(config => config
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Hangfire", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Process", processName)
            .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.File(logFile, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, formatProvider: System.Globalization.CultureInfo.InvariantCulture));
        return builder;
    }
}
