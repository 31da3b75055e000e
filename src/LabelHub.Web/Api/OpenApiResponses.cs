using System.Globalization;
using Microsoft.OpenApi;

namespace LabelHub.Web.Api;

/// <summary>
/// What an endpoint answers besides its success type, declared where it is mapped so the OpenAPI document (and the
/// reference page built from it) tells clients every status they can meet. Handlers that return their DTO directly get
/// their 200 from the return type; handlers that return <see cref="IResult"/> declare theirs with <c>Produces</c>.
/// OpenApiContractTests fails on an operation without a 2xx or with a JSON success response without a schema.
/// </summary>
public static class OpenApiResponses
{
    /// <summary>A stored file: the whole file, or a range of it; unchanged since the caller's ETag.</summary>
    public static RouteHandlerBuilder ProducesFile(this RouteHandlerBuilder builder, string contentType, params string[] moreContentTypes) => builder
        .Produces<Stream>(StatusCodes.Status200OK, contentType, moreContentTypes)
        .Produces<Stream>(StatusCodes.Status206PartialContent, contentType, moreContentTypes)
        .Produces(StatusCodes.Status304NotModified)
        .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
        .Describe(StatusCodes.Status200OK, "The file's bytes, streamed, with an ETag; a Range header gets part of it.")
        .Describe(StatusCodes.Status206PartialContent, "The range asked for with a Range header.")
        .Describe(StatusCodes.Status304NotModified, "Unchanged since the ETag sent in If-None-Match.");

    /// <summary>409: the request is valid but the resource's state refuses it now; <paramref name="when"/> lists the cases.</summary>
    public static RouteHandlerBuilder ProducesConflict(this RouteHandlerBuilder builder, string when) => builder
        .ProducesProblem(StatusCodes.Status409Conflict)
        .Describe(StatusCodes.Status409Conflict, "Conflict (problem details with a stable `code`): " + when);

    /// <summary>A job was queued: 202 with the job, whose progress <c>GET /api/v1/jobs/{id}</c> (the Location header) tells.</summary>
    public static RouteHandlerBuilder ProducesJob(this RouteHandlerBuilder builder) => builder
        .Produces<Domain.Jobs.JobRunInfo>(StatusCodes.Status202Accepted)
        .Describe(StatusCodes.Status202Accepted, "Queued as a job; Location is GET /api/v1/jobs/{id}, polled until it has succeeded or failed.");

    /// <summary>The 200 response comes as CSV too (a query parameter asks for it), beside its JSON.</summary>
    public static RouteHandlerBuilder AlsoAsCsv(this RouteHandlerBuilder builder, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = description } };
                response.Description = "JSON; " + description;
            }
            return Task.CompletedTask;
        });

    /// <summary>Replaces the generic description ("OK", "Conflict") of one response of the operation.</summary>
    public static TBuilder Describe<TBuilder>(this TBuilder builder, int statusCode, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.GetValueOrDefault(statusCode.ToString(CultureInfo.InvariantCulture)) is OpenApiResponse response)
            {
                response.Description = description;
            }
            return Task.CompletedTask;
        });
}
