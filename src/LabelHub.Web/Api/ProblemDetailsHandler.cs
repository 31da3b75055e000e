using System.Globalization;
using LabelHub.Domain;
using LabelHub.Domain.Data;
using LabelHub.Domain.Labeling;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace LabelHub.Web.Api;

/// <summary>Turns domain refusals and malformed requests into RFC 7807 problem details; never a stack trace.</summary>
public sealed class ProblemDetailsHandler(IProblemDetailsService problems, ILogger<ProblemDetailsHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        // The caller's language, as request localization chose it (the handler runs outside that middleware).
        var culture = context.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture ?? CultureInfo.CurrentUICulture;
        ProblemDetails problem = exception switch
        {
            ValidationException v => new HttpValidationProblemDetails(v.LocalizedErrors(culture).ToDictionary(e => e.Key, e => e.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has invalid values.",
                Detail = v.MessageIn(culture),
                // Per field, the stable code of each message (null where the catalog has none), in the order of "errors".
                Extensions = { ["codes"] = v.EnglishErrors.ToDictionary(e => e.Key, e => e.Value.Select(ServerMessages.CodeOf).ToArray()) },
            },
            GuidelineAcknowledgementRequiredException ack => WithCode(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Read the new guideline first.", Detail = ack.Message },
                "guideline_acknowledgement_required", ("guidelineVersion", ack.Version)),
            TaskLimitReachedException limit => WithCode(new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Task limit reached.", Detail = limit.Message },
                "task_limit_reached", ("limit", limit.Limit)),
            NotFoundException => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found.", Detail = ((DomainException)exception).EnglishMessage },
            ForbiddenException => new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Forbidden.", Detail = ((DomainException)exception).EnglishMessage },
            ConflictException => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict.", Detail = ((DomainException)exception).EnglishMessage },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = "The request could not be read.",
                Detail = bad.InnerException is System.Text.Json.JsonException json ? $"Invalid JSON: {json.Message}" : bad.Message,
            },
            _ when DatabaseBusy.Is(exception) => WithCode(
                new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "The database is busy.", Detail = "Nothing was lost. Try again in a moment." },
                "database_busy", ("retryAfterSeconds", (int)DatabaseBusy.RetryAfter.TotalSeconds)),
            _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "Something went wrong on our side.", Detail = "The error was logged." },
        };
        if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
        }
        else if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning("Database busy on {Path}; answered 503", context.Request.Path);
            context.Response.Headers.RetryAfter = ((int)DatabaseBusy.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        // Text in the caller's language; a stable code beside it for scripts.
        if (exception is DomainException domain && !problem.Extensions.ContainsKey("code"))
        {
            problem.Extensions["code"] = domain.Code ?? DefaultCode(problem.Status!.Value);
        }
        problem.Title = ServerMessages.Localize(problem.Title, culture);
        problem.Detail = ServerMessages.Localize(problem.Detail, culture);
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static string DefaultCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "validation",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status409Conflict => "conflict",
        _ => "error",
    };

    /// <summary>A machine-readable code (and data) so clients can react, e.g. show the guideline to acknowledge.</summary>
    private static ProblemDetails WithCode(ProblemDetails problem, string code, (string Key, object Value) data)
    {
        problem.Extensions["code"] = code;
        problem.Extensions[data.Key] = data.Value;
        return problem;
    }
}
