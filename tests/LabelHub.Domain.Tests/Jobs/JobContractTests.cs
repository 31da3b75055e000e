using LabelHub.Domain.Jobs;

namespace LabelHub.Domain.Tests.Jobs;

/// <summary>The generic contract and handler base, on a contract of their own so no stage's types are assumed.</summary>
public sealed class JobContractTests
{
    public sealed record EchoParameters(string Text, int Times);

    public sealed record EchoResult(string Echoed);

    private static readonly JobContract<EchoParameters, EchoResult> Echo = new("echo");

    private static JobRun Run(string kind = "echo", string parameters = "{}", string? result = null) =>
        new() { Id = Guid.CreateVersion7(), Kind = kind, Parameters = parameters, Result = result };

    [Fact]
    public void Parameters_round_trip_through_the_run()
    {
        var run = Run(parameters: Echo.SerializeParameters(new EchoParameters("hi", 3)));

        Assert.Equal("{\"text\":\"hi\",\"times\":3}", run.Parameters);
        Assert.Equal(new EchoParameters("hi", 3), Echo.ReadParameters(run));
    }

    [Theory]
    [InlineData("echo", "null")]
    [InlineData("echo", "not json")]
    [InlineData("echo", "{\"times\": \"three\"}")]
    [InlineData("other", "{\"text\":\"hi\",\"times\":3}")]
    public void Parameters_that_are_missing_do_not_fit_or_belong_to_another_kind_fail_the_run(string kind, string json)
    {
        Assert.Throws<InvalidOperationException>(() => Echo.ReadParameters(Run(kind, json)));
    }

    [Fact]
    public void A_result_round_trips_from_the_run_and_from_its_info()
    {
        var run = Run(result: Echo.SerializeResult(new EchoResult("hi hi hi")));

        Assert.Equal(new EchoResult("hi hi hi"), Echo.ReadResult(run));
        Assert.Equal(new EchoResult("hi hi hi"), Echo.ReadResult(JobRunService.ToInfo(run)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("null")]
    [InlineData("not json")]
    [InlineData("{\"echoed\": 42}")]
    [InlineData("[1, 2]")]
    [InlineData("{\"echoed\": \"cut off")]
    public void A_missing_or_garbage_result_reads_as_none(string? json)
    {
        var run = Run(result: json);

        Assert.Null(Echo.ReadResult(run));
        Assert.Null(Echo.ReadResult(JobRunService.ToInfo(run)));
    }

    [Fact]
    public void Another_kind_of_job_has_no_result_of_this_contract()
    {
        var run = Run(kind: "other", result: "{\"echoed\":\"hi\"}");

        Assert.Null(Echo.ReadResult(run));
        Assert.False(Echo.IsKindOf(JobRunService.ToInfo(run)));
        Assert.True(Echo.IsKindOf(JobRunService.ToInfo(Run())));
    }

    [Fact]
    public void Outcomes_are_stored_with_their_result_as_json()
    {
        Assert.Equal(new JobOutcome(true, "done", "{\"echoed\":\"hi\"}"), Echo.ToStored(Echo.Succeeded("done", new EchoResult("hi"))));
        Assert.Equal(new JobOutcome(false, "broke", "{\"echoed\":\"half\"}"), Echo.ToStored(Echo.Failed("broke", new EchoResult("half"))));
        Assert.Equal(new JobOutcome(false, "broke", null), Echo.ToStored(Echo.Failed("broke")));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void A_contract_needs_a_kind(string kind)
    {
        Assert.Throws<ArgumentException>(() => new JobContract<EchoParameters, EchoResult>(kind));
    }

    private sealed class EchoHandler : JobHandler<EchoParameters, EchoResult>
    {
        public EchoHandler()
            : base(Echo)
        {
        }

        public override Task<JobOutcome<EchoResult>> RunAsync(JobRun run, EchoParameters parameters, IJobProgress progress, CancellationToken ct) =>
            Task.FromResult(parameters.Times > 0
                ? Succeeded($"Echoed {parameters.Times} times.", new EchoResult(string.Join(' ', Enumerable.Repeat(parameters.Text, parameters.Times))))
                : Failed("Nothing to echo."));
    }

    private sealed class NoProgress : IJobProgress
    {
        public Task ReportAsync(double fraction, string? message = null, CancellationToken ct = default) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_handler_gets_typed_parameters_and_its_typed_outcome_is_stored_as_json()
    {
        IJobHandler handler = new EchoHandler();

        var succeeded = await handler.RunAsync(Run(parameters: "{\"text\":\"hi\",\"times\":2}"), new NoProgress(), CancellationToken.None);
        var failed = await handler.RunAsync(Run(parameters: "{\"text\":\"hi\",\"times\":0}"), new NoProgress(), CancellationToken.None);

        Assert.Equal("echo", handler.Kind);
        Assert.Equal(new JobOutcome(true, "Echoed 2 times.", "{\"echoed\":\"hi hi\"}"), succeeded);
        Assert.Equal(new JobOutcome(false, "Nothing to echo.", null), failed);
    }

    [Fact]
    public async Task A_handler_refuses_a_run_whose_parameters_do_not_fit()
    {
        IJobHandler handler = new EchoHandler();
        await Assert.ThrowsAsync<InvalidOperationException>(() => handler.RunAsync(Run(parameters: "[]"), new NoProgress(), CancellationToken.None));
    }
}
