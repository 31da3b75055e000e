using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StoredFileChunks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "is_complete",
                table: "stored_files",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<Guid>(
                name: "job_run_id",
                table: "stored_files",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "stored_file_chunks",
                columns: table => new
                {
                    file_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    bytes = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stored_file_chunks", x => new { x.file_id, x.sequence });
                    table.ForeignKey(
                        name: "fk_stored_file_chunks_stored_files_file_id",
                        column: x => x.file_id,
                        principalTable: "stored_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_stored_files_job_run_id",
                table: "stored_files",
                column: "job_run_id");

            // Files stored before chunks became one chunk each: every existing file keeps working.
            migrationBuilder.Sql("INSERT INTO stored_file_chunks (file_id, sequence, bytes) SELECT file_id, 0, bytes FROM stored_file_contents;");
            migrationBuilder.DropTable(
                name: "stored_file_contents");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stored_files_job_run_id",
                table: "stored_files");

            migrationBuilder.DropColumn(
                name: "is_complete",
                table: "stored_files");

            migrationBuilder.DropColumn(
                name: "job_run_id",
                table: "stored_files");

            migrationBuilder.CreateTable(
                name: "stored_file_contents",
                columns: table => new
                {
                    file_id = table.Column<Guid>(type: "uuid", nullable: false),
                    bytes = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stored_file_contents", x => x.file_id);
                    table.ForeignKey(
                        name: "fk_stored_file_contents_stored_files_file_id",
                        column: x => x.file_id,
                        principalTable: "stored_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Going back keeps files of one chunk (all files stored before the upgrade, and small ones after).
            migrationBuilder.Sql("INSERT INTO stored_file_contents (file_id, bytes) SELECT file_id, bytes FROM stored_file_chunks WHERE sequence = 0 AND NOT EXISTS (SELECT 1 FROM stored_file_chunks later WHERE later.file_id = stored_file_chunks.file_id AND later.sequence > 0);");
            migrationBuilder.DropTable(
                name: "stored_file_chunks");
        }
    }
}
