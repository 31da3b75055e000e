using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ItemStatsOffTheHotPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_items_item_sources_source_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_agreement_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_created_at_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_prediction_score_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_priority_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_source_id_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_project_id_submitted_count_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_source_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "agreement",
                table: "items");

            migrationBuilder.DropColumn(
                name: "prediction_score",
                table: "items");

            migrationBuilder.CreateTable(
                name: "item_stats",
                columns: table => new
                {
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    source_id = table.Column<long>(type: "bigint", nullable: true),
                    priority = table.Column<double>(type: "double precision", nullable: false),
                    submitted_count = table.Column<int>(type: "integer", nullable: false),
                    agreement = table.Column<double>(type: "double precision", nullable: true),
                    prediction_score = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_item_stats", x => x.item_id);
                    table.ForeignKey(
                        name: "fk_item_stats_item_sources_source_id",
                        column: x => x.source_id,
                        principalTable: "item_sources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_item_stats_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "item_stats_queue",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_item_stats_queue", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_project_id_agreement_item_id",
                table: "item_stats",
                columns: new[] { "project_id", "agreement", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_project_id_created_at_item_id",
                table: "item_stats",
                columns: new[] { "project_id", "created_at", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_project_id_prediction_score_item_id",
                table: "item_stats",
                columns: new[] { "project_id", "prediction_score", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_project_id_priority_item_id",
                table: "item_stats",
                columns: new[] { "project_id", "priority", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_project_id_source_id_item_id",
                table: "item_stats",
                columns: new[] { "project_id", "source_id", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_project_id_submitted_count_item_id",
                table: "item_stats",
                columns: new[] { "project_id", "submitted_count", "item_id" });

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_source_id",
                table: "item_stats",
                column: "source_id");

            migrationBuilder.CreateIndex(
                name: "ix_item_stats_queue_project_id_id",
                table: "item_stats_queue",
                columns: new[] { "project_id", "id" });

            // Rows for every item, their values, and the triggers that keep them (and PostgreSQL's search table).
            LabelHub.Domain.Collection.ItemStatsStorage.Up(migrationBuilder, DatabaseProvider.Postgres);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            LabelHub.Domain.Collection.ItemStatsStorage.Down(migrationBuilder, DatabaseProvider.Postgres);

            migrationBuilder.DropTable(
                name: "item_stats");

            migrationBuilder.DropTable(
                name: "item_stats_queue");

            migrationBuilder.AddColumn<double>(
                name: "agreement",
                table: "items",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "prediction_score",
                table: "items",
                type: "double precision",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_agreement_id",
                table: "items",
                columns: new[] { "project_id", "agreement", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_created_at_id",
                table: "items",
                columns: new[] { "project_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_prediction_score_id",
                table: "items",
                columns: new[] { "project_id", "prediction_score", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_priority_id",
                table: "items",
                columns: new[] { "project_id", "priority", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_source_id_id",
                table: "items",
                columns: new[] { "project_id", "source_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_project_id_submitted_count_id",
                table: "items",
                columns: new[] { "project_id", "submitted_count", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_source_id",
                table: "items",
                column: "source_id");

            migrationBuilder.AddForeignKey(
                name: "fk_items_item_sources_source_id",
                table: "items",
                column: "source_id",
                principalTable: "item_sources",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
