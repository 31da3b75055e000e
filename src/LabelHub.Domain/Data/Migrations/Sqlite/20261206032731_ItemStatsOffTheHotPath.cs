using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ItemStatsOffTheHotPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            // SQLite drops the columns in place: EF's DropColumn rebuilds the table, which would drop its search triggers.
            migrationBuilder.Sql("ALTER TABLE items DROP COLUMN agreement;");
            migrationBuilder.Sql("ALTER TABLE items DROP COLUMN prediction_score;");

            migrationBuilder.CreateTable(
                name: "item_stats",
                columns: table => new
                {
                    item_id = table.Column<long>(type: "INTEGER", nullable: false),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    source_id = table.Column<long>(type: "INTEGER", nullable: true),
                    priority = table.Column<double>(type: "REAL", nullable: false),
                    submitted_count = table.Column<int>(type: "INTEGER", nullable: false),
                    agreement = table.Column<double>(type: "REAL", nullable: true),
                    prediction_score = table.Column<double>(type: "REAL", nullable: true)
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
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    item_id = table.Column<long>(type: "INTEGER", nullable: false),
                    project_id = table.Column<Guid>(type: "TEXT", nullable: false)
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
            LabelHub.Domain.Collection.ItemStatsStorage.Up(migrationBuilder, DatabaseProvider.Sqlite);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            LabelHub.Domain.Collection.ItemStatsStorage.Down(migrationBuilder, DatabaseProvider.Sqlite);

            migrationBuilder.DropTable(
                name: "item_stats");

            migrationBuilder.DropTable(
                name: "item_stats_queue");

            migrationBuilder.AddColumn<double>(
                name: "agreement",
                table: "items",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "prediction_score",
                table: "items",
                type: "REAL",
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
        }
    }
}
