using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
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
    public DbSet<StoredFileContent> StoredFileContents => Set<StoredFileContent>();
    public DbSet<Quality.QualityReport> QualityReports => Set<Quality.QualityReport>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        var postgres = Provider == DatabaseProvider.Postgres;

        builder.Entity<AppUser>(user => user.Property(u => u.DisplayName).HasMaxLength(200));

        builder.Entity<PersonalAccessToken>(token =>
        {
            token.HasKey(t => t.Id);
            token.Property(t => t.Name).HasMaxLength(100);
            token.Property(t => t.Prefix).HasMaxLength(16);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Project>(project =>
        {
            project.HasKey(p => p.Id);
            project.Property(p => p.Name).HasMaxLength(200);
            project.Property(p => p.Description).HasMaxLength(4000);
            project.Property(p => p.Schema).HasJsonConversion(postgres);
            project.Property(p => p.Labeling).HasJsonConversion(postgres);
            project.Property(p => p.Quality).HasJsonConversion(postgres);
            project.HasMany(p => p.Members).WithOne().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Quality.QualityReport>(report =>
        {
            report.HasKey(r => r.Id);
            report.Property(r => r.Data).HasJsonConversion(postgres);
            report.HasOne<Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
            // The dashboard reads the newest report and the trend reads them in time order.
            report.HasIndex(r => new { r.ProjectId, r.ComputedAt });
        });

        builder.Entity<ProjectMember>(member =>
        {
            member.HasKey(m => new { m.ProjectId, m.UserId });
            member.HasIndex(m => m.UserId);
            member.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Item>(item =>
        {
            item.HasKey(i => i.Id);
            item.Property(i => i.Data).HasJsonConversion(postgres);
            item.Property(i => i.GoldAnswer).HasJsonConversion(postgres);
            item.Property(i => i.ContentHash).HasMaxLength(64);
            item.HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Cascade);
            // The next-task query walks this index in its own order: open items of a project, fullest first,
            // then by priority, then oldest; the directions match the ORDER BY so no sort is needed.
            item.HasIndex(i => new { i.ProjectId, i.IsGold, i.TakenSlots, i.Priority, i.Id })
                .IsDescending(false, false, true, true, false);
            item.HasIndex(i => new { i.ProjectId, i.ContentHash });
            item.HasIndex(i => i.ImportJobRunId);
            if (postgres)
            {
                // Room on each page lets PostgreSQL update submitted_count in place (a HOT update) instead of adding
                // an entry to every index of the table on each submit; the next-task scan then skips fewer dead entries.
                item.HasStorageParameter("fillfactor", 80);
            }
        });

        builder.Entity<Assignment>(assignment =>
        {
            assignment.HasKey(a => a.Id);
            assignment.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
            assignment.Property(a => a.Draft).HasJsonConversion(postgres);
            assignment.HasIndex(a => new { a.ItemId, a.UserId }).IsUnique();
            assignment.HasIndex(a => new { a.ProjectId, a.UserId, a.State });
            assignment.HasIndex(a => new { a.State, a.LeaseExpiresAt });
            assignment.HasOne<Item>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Annotation>(annotation =>
        {
            annotation.HasKey(a => a.Id);
            annotation.Property(a => a.Reason).HasConversion<string>().HasMaxLength(16);
            annotation.Property(a => a.ReviewStatus).HasConversion<string>().HasMaxLength(16);
            // The review queue: current, unreviewed answers of a project, oldest first.
            annotation.HasIndex(a => new { a.ProjectId, a.IsCurrent, a.ReviewStatus, a.Id });
            annotation.Property(a => a.Values).HasJsonConversion(postgres);
            annotation.Property(a => a.Comment).HasMaxLength(2000);
            annotation.HasIndex(a => new { a.ItemId, a.AnnotatorId, a.Version }).IsUnique();
            annotation.HasIndex(a => new { a.ProjectId, a.IsCurrent, a.ItemId });
            annotation.HasIndex(a => new { a.ProjectId, a.AnnotatorId });
            annotation.HasOne<Item>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<GuidelineVersion>(guideline =>
        {
            guideline.HasKey(g => g.Id);
            guideline.Property(g => g.ChangeNote).HasMaxLength(500);
            guideline.HasIndex(g => new { g.ProjectId, g.Version }).IsUnique();
            guideline.HasOne<Project>().WithMany().HasForeignKey(g => g.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<GuidelineAcknowledgement>(ack =>
        {
            ack.HasKey(a => new { a.ProjectId, a.UserId, a.Version });
            ack.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Review>(review =>
        {
            review.HasKey(r => r.Id);
            review.Property(r => r.Decision).HasConversion<string>().HasMaxLength(24);
            review.Property(r => r.Comment).HasMaxLength(2000);
            review.HasIndex(r => new { r.ItemId, r.AnnotatorId });
            review.HasIndex(r => new { r.ProjectId, r.CreatedAt });
            review.HasOne<Item>().WithMany().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Prediction>(prediction =>
        {
            prediction.HasKey(p => p.Id);
            prediction.Property(p => p.ModelVersion).HasMaxLength(100);
            prediction.Property(p => p.Values).HasJsonConversion(postgres);
            prediction.HasIndex(p => new { p.ItemId, p.CreatedAt });
            prediction.HasOne<Item>().WithMany().HasForeignKey(p => p.ItemId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<JobRun>(job =>
        {
            job.HasKey(j => j.Id);
            job.Property(j => j.Kind).HasMaxLength(64);
            job.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
            job.Property(j => j.Message).HasMaxLength(1000);
            job.Property(j => j.ResultSummary).HasMaxLength(1000);
            job.Property(j => j.ExecutorJobId).HasMaxLength(100);
            if (postgres)
            {
                job.Property(j => j.Parameters).HasColumnType("jsonb");
                job.Property(j => j.Result).HasColumnType("jsonb");
            }
            job.HasIndex(j => new { j.ProjectId, j.CreatedAt });
            job.HasIndex(j => j.State);
        });

        builder.Entity<StoredFile>(file =>
        {
            file.HasKey(f => f.Id);
            file.Property(f => f.FileName).HasMaxLength(260);
            file.Property(f => f.ContentType).HasMaxLength(100);
            file.Property(f => f.Sha256).HasMaxLength(64);
            file.HasOne(f => f.Content).WithOne().HasForeignKey<StoredFileContent>(c => c.FileId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<StoredFileContent>(content => content.HasKey(c => c.FileId));
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
