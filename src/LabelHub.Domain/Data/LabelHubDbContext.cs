using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Learning;
using LabelHub.Domain.Planning;
using LabelHub.Domain.Quality;
using LabelHub.Domain.Releases;
using LabelHub.Domain.Synthesis;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace LabelHub.Domain.Data;

/// <summary>
/// The one model. Each database provider has a derived context (<see cref="SqliteLabelHubDbContext"/>,
/// <see cref="PostgresLabelHubDbContext"/>) so that each keeps its own migrations.
/// </summary>
public abstract class LabelHubDbContext(DbContextOptions options)
    : IdentityDbContext<AppUser, AppRole, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>Shared by every web instance, so cookies survive restarts and work behind a load balancer.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<PersonalAccessToken> AccessTokens => Set<PersonalAccessToken>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<Item> Items => Set<Item>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<Annotation> Annotations => Set<Annotation>();
    public DbSet<GuidelineVersion> GuidelineVersions => Set<GuidelineVersion>();
    public DbSet<GuidelineAcknowledgement> GuidelineAcknowledgements => Set<GuidelineAcknowledgement>();
    public DbSet<Review> Reviews => Set<Review>();
    public DbSet<Prediction> Predictions => Set<Prediction>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<StoredFile> StoredFiles => Set<StoredFile>();
    public DbSet<StoredFileChunk> StoredFileChunks => Set<StoredFileChunk>();
    public DbSet<QualityReport> QualityReports => Set<QualityReport>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<LearningRound> LearningRounds => Set<LearningRound>();
    public DbSet<RoundPick> RoundPicks => Set<RoundPick>();
    public DbSet<CleansingRuleSetVersion> CleansingRuleSets => Set<CleansingRuleSetVersion>();
    public DbSet<CleansingRun> CleansingRuns => Set<CleansingRun>();
    public DbSet<CleansingFinding> CleansingFindings => Set<CleansingFinding>();
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<ReleaseItem> ReleaseItems => Set<ReleaseItem>();
    public DbSet<DuplicateGroup> DuplicateGroups => Set<DuplicateGroup>();
    public DbSet<DuplicateGroupMember> DuplicateGroupMembers => Set<DuplicateGroupMember>();
    public DbSet<Generator> Generators => Set<Generator>();
    public DbSet<ItemSource> ItemSources => Set<ItemSource>();
    public DbSet<ItemLabel> ItemLabels => Set<ItemLabel>();
    public DbSet<ItemStats> ItemStats => Set<ItemStats>();
    public DbSet<ItemStatsChange> ItemStatsQueue => Set<ItemStatsChange>();
    public DbSet<CrowdInvite> CrowdInvites => Set<CrowdInvite>();
    public DbSet<CrowdMember> CrowdMembers => Set<CrowdMember>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        // Identity's own tables first; AppUserConfiguration adds to the user table.
        base.OnModelCreating(builder);

        // Each entity's configuration lives beside the entity; those that differ by provider (JSON columns,
        // PostgreSQL storage parameters) take it.
        builder.ApplyConfiguration(new AppUserConfiguration());
        builder.ApplyConfiguration(new PersonalAccessTokenConfiguration());
        builder.ApplyConfiguration(new ProjectConfiguration(Provider));
        builder.ApplyConfiguration(new ProjectMemberConfiguration());
        builder.ApplyConfiguration(new ItemConfiguration(Provider));
        builder.ApplyConfiguration(new AssignmentConfiguration(Provider));
        builder.ApplyConfiguration(new AnnotationConfiguration(Provider));
        builder.ApplyConfiguration(new GuidelineVersionConfiguration());
        builder.ApplyConfiguration(new GuidelineAcknowledgementConfiguration());
        builder.ApplyConfiguration(new ReviewConfiguration());
        builder.ApplyConfiguration(new PredictionConfiguration(Provider));
        builder.ApplyConfiguration(new QualityReportConfiguration(Provider));
        builder.ApplyConfiguration(new JobRunConfiguration(Provider));
        builder.ApplyConfiguration(new StoredFileConfiguration());
        builder.ApplyConfiguration(new StoredFileChunkConfiguration());
        builder.ApplyConfiguration(new ModelVersionConfiguration(Provider));
        builder.ApplyConfiguration(new LearningRoundConfiguration());
        builder.ApplyConfiguration(new RoundPickConfiguration());
        builder.ApplyConfiguration(new CleansingRuleSetVersionConfiguration());
        builder.ApplyConfiguration(new CleansingRunConfiguration());
        builder.ApplyConfiguration(new CleansingFindingConfiguration());
        builder.ApplyConfiguration(new DuplicateGroupConfiguration());
        builder.ApplyConfiguration(new DuplicateGroupMemberConfiguration());
        builder.ApplyConfiguration(new ReleaseConfiguration());
        builder.ApplyConfiguration(new ReleaseItemConfiguration());
        builder.ApplyConfiguration(new GeneratorConfiguration(Provider));
        builder.ApplyConfiguration(new ItemSourceConfiguration());
        builder.ApplyConfiguration(new ItemLabelConfiguration());
        builder.ApplyConfiguration(new ItemStatsConfiguration());
        builder.ApplyConfiguration(new ItemStatsChangeConfiguration());
        builder.ApplyConfiguration(new CrowdInviteConfiguration());
        builder.ApplyConfiguration(new CrowdMemberConfiguration());
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class SqliteLabelHubDbContext(DbContextOptions<SqliteLabelHubDbContext> options) : LabelHubDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; store UTC ticks so queries can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }
}

public sealed class PostgresLabelHubDbContext(DbContextOptions<PostgresLabelHubDbContext> options) : LabelHubDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
